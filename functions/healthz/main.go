// Command healthz is the Lambda function of the portal route "healthz".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("healthz") }
