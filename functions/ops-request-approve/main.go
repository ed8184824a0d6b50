// Command ops-request-approve is the Lambda function of the portal route "ops-request-approve".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("ops-request-approve") }
