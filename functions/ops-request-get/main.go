// Command ops-request-get is the Lambda function of the portal route "ops-request-get".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("ops-request-get") }
