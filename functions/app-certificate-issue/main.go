// Command app-certificate-issue is the Lambda function of the portal route "app-certificate-issue".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-certificate-issue") }
