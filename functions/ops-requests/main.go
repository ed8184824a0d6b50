// Command ops-requests is the Lambda function of the portal route "ops-requests".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("ops-requests") }
